//! Fixed word lists the demo generator draws from: names, departments, programs, buildings.
//!
//! Everything here is plain static data. The generator picks from these lists with a seeded
//! random number generator, so the same seed always yields the same demo college.

/// An academic department and the programs it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepartmentSeed {
    /// Short department code, e.g. `"CSE"`.
    pub code: &'static str,
    /// Full department name, e.g. `"Computer Science and Engineering"`.
    pub name: &'static str,
    /// Code of the [`BuildingSeed`] in [`BUILDINGS`] where the department is housed.
    pub building: &'static str,
    /// Programs offered by the department.
    pub programs: &'static [ProgramSeed],
}

/// A degree or diploma program offered by a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramSeed {
    /// Program code, unique across all departments, e.g. `"BTECH-CSE"`.
    pub code: &'static str,
    /// Full program name, e.g. `"B.Tech. Computer Science and Engineering"`.
    pub name: &'static str,
    /// One of `"undergraduate"`, `"postgraduate"`, `"doctoral"` or `"diploma"`.
    pub level: &'static str,
    /// Duration in years, 1 to 5.
    pub years: i16,
}

/// A campus building with a regular grid of rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildingSeed {
    /// Short building code, e.g. `"SCI"`.
    pub code: &'static str,
    /// Full building name, e.g. `"Science Block"`.
    pub name: &'static str,
    /// Number of floors, 1 to 6.
    pub floors: i16,
    /// Number of rooms on each floor, 4 to 12.
    pub rooms_per_floor: i16,
}

/// Buildings on the demo campus. Every [`DepartmentSeed::building`] names one of these codes.
pub const BUILDINGS: &[BuildingSeed] = &[
    BuildingSeed {
        code: "ADM",
        name: "Administration Block",
        floors: 3,
        rooms_per_floor: 8,
    },
    BuildingSeed {
        code: "LIB",
        name: "Central Library",
        floors: 4,
        rooms_per_floor: 6,
    },
    BuildingSeed {
        code: "SCI",
        name: "Science Block",
        floors: 4,
        rooms_per_floor: 10,
    },
    BuildingSeed {
        code: "ENG",
        name: "Engineering Block",
        floors: 5,
        rooms_per_floor: 12,
    },
    BuildingSeed {
        code: "LAB",
        name: "Technology Labs Complex",
        floors: 3,
        rooms_per_floor: 8,
    },
    BuildingSeed {
        code: "HUM",
        name: "Humanities Block",
        floors: 3,
        rooms_per_floor: 10,
    },
    BuildingSeed {
        code: "COM",
        name: "Commerce and Management Block",
        floors: 4,
        rooms_per_floor: 9,
    },
    BuildingSeed {
        code: "LAW",
        name: "Law School Building",
        floors: 2,
        rooms_per_floor: 7,
    },
    BuildingSeed {
        code: "ART",
        name: "Fine Arts Centre",
        floors: 2,
        rooms_per_floor: 5,
    },
];

/// Departments of the demo college, each with two to four programs.
pub const DEPARTMENTS: &[DepartmentSeed] = &[
    DepartmentSeed {
        code: "CSE",
        name: "Computer Science and Engineering",
        building: "ENG",
        programs: &[
            ProgramSeed {
                code: "BTECH-CSE",
                name: "B.Tech. Computer Science and Engineering",
                level: "undergraduate",
                years: 4,
            },
            ProgramSeed {
                code: "MTECH-CSE",
                name: "M.Tech. Computer Science and Engineering",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "PHD-CSE",
                name: "Ph.D. Computer Science",
                level: "doctoral",
                years: 5,
            },
        ],
    },
    DepartmentSeed {
        code: "ECE",
        name: "Electronics and Communication Engineering",
        building: "LAB",
        programs: &[
            ProgramSeed {
                code: "BTECH-ECE",
                name: "B.Tech. Electronics and Communication Engineering",
                level: "undergraduate",
                years: 4,
            },
            ProgramSeed {
                code: "DIP-ECE",
                name: "Diploma in Electronics Engineering",
                level: "diploma",
                years: 3,
            },
        ],
    },
    DepartmentSeed {
        code: "ME",
        name: "Mechanical Engineering",
        building: "ENG",
        programs: &[
            ProgramSeed {
                code: "BTECH-ME",
                name: "B.Tech. Mechanical Engineering",
                level: "undergraduate",
                years: 4,
            },
            ProgramSeed {
                code: "MTECH-ME",
                name: "M.Tech. Thermal Engineering",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "DIP-ME",
                name: "Diploma in Mechanical Engineering",
                level: "diploma",
                years: 3,
            },
        ],
    },
    DepartmentSeed {
        code: "PHY",
        name: "Physics",
        building: "SCI",
        programs: &[
            ProgramSeed {
                code: "BSC-PHY",
                name: "B.Sc. Physics",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "MSC-PHY",
                name: "M.Sc. Physics",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "PHD-PHY",
                name: "Ph.D. Physics",
                level: "doctoral",
                years: 5,
            },
        ],
    },
    DepartmentSeed {
        code: "CHEM",
        name: "Chemistry",
        building: "SCI",
        programs: &[
            ProgramSeed {
                code: "BSC-CHEM",
                name: "B.Sc. Chemistry",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "MSC-CHEM",
                name: "M.Sc. Chemistry",
                level: "postgraduate",
                years: 2,
            },
        ],
    },
    DepartmentSeed {
        code: "MATH",
        name: "Mathematics and Statistics",
        building: "SCI",
        programs: &[
            ProgramSeed {
                code: "BSC-MATH",
                name: "B.Sc. Mathematics",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "MSC-STAT",
                name: "M.Sc. Statistics",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "PHD-MATH",
                name: "Ph.D. Mathematics",
                level: "doctoral",
                years: 4,
            },
        ],
    },
    DepartmentSeed {
        code: "BIO",
        name: "Biological Sciences",
        building: "LAB",
        programs: &[
            ProgramSeed {
                code: "BSC-BIO",
                name: "B.Sc. Biology",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "MSC-BIOTECH",
                name: "M.Sc. Biotechnology",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "DIP-MLT",
                name: "Diploma in Medical Laboratory Technology",
                level: "diploma",
                years: 2,
            },
        ],
    },
    DepartmentSeed {
        code: "ENGL",
        name: "English Language and Literature",
        building: "HUM",
        programs: &[
            ProgramSeed {
                code: "BA-ENGL",
                name: "B.A. English Literature",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "MA-ENGL",
                name: "M.A. English Literature",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "PHD-ENGL",
                name: "Ph.D. English",
                level: "doctoral",
                years: 4,
            },
        ],
    },
    DepartmentSeed {
        code: "HIST",
        name: "History and Archaeology",
        building: "HUM",
        programs: &[
            ProgramSeed {
                code: "BA-HIST",
                name: "B.A. History",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "MA-HIST",
                name: "M.A. History",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "DIP-HERITAGE",
                name: "Diploma in Heritage Management",
                level: "diploma",
                years: 1,
            },
        ],
    },
    DepartmentSeed {
        code: "COMM",
        name: "Commerce and Management",
        building: "COM",
        programs: &[
            ProgramSeed {
                code: "BCOM",
                name: "B.Com. Commerce",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "BBA",
                name: "Bachelor of Business Administration",
                level: "undergraduate",
                years: 3,
            },
            ProgramSeed {
                code: "MBA",
                name: "Master of Business Administration",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "DIP-ACCT",
                name: "Diploma in Accounting and Taxation",
                level: "diploma",
                years: 1,
            },
        ],
    },
    DepartmentSeed {
        code: "LAW",
        name: "Law",
        building: "LAW",
        programs: &[
            ProgramSeed {
                code: "BA-LLB",
                name: "B.A. LL.B. (Integrated Law)",
                level: "undergraduate",
                years: 5,
            },
            ProgramSeed {
                code: "LLM",
                name: "LL.M. Master of Laws",
                level: "postgraduate",
                years: 1,
            },
            ProgramSeed {
                code: "PHD-LAW",
                name: "Ph.D. Law",
                level: "doctoral",
                years: 4,
            },
        ],
    },
    DepartmentSeed {
        code: "FA",
        name: "Fine and Performing Arts",
        building: "ART",
        programs: &[
            ProgramSeed {
                code: "BFA",
                name: "Bachelor of Fine Arts",
                level: "undergraduate",
                years: 4,
            },
            ProgramSeed {
                code: "MFA",
                name: "Master of Fine Arts",
                level: "postgraduate",
                years: 2,
            },
            ProgramSeed {
                code: "DIP-PHOTO",
                name: "Diploma in Photography",
                level: "diploma",
                years: 1,
            },
        ],
    },
];

/// Given names, culturally mixed and of mixed genders; ASCII only.
pub const FIRST_NAMES: &[&str] = &[
    "Aarav", "Aditi", "Aditya", "Ananya", "Arjun", "Anika", "Deepak", "Divya", "Farhan", "Gaurav",
    "Ishaan", "Isha", "Kavya", "Karan", "Lakshmi", "Meera", "Nikhil", "Neha", "Priya", "Pranav",
    "Rahul", "Riya", "Rohan", "Sanjay", "Sneha", "Tanvi", "Varun", "Vikram", "Anjali", "Harpreet",
    "Gurpreet", "Arnav", "Kabir", "Nisha", "Pooja", "Ravi", "Shreya", "Suresh", "Sunita", "Tara",
    "Uma", "Vivek", "Yash", "Imran", "Ayesha", "Sadia", "Tahmina", "Rashed", "Nusrat", "Dilshan",
    "Chamari", "Nimal", "Tharindu", "Kumari", "Bishnu", "Sita", "Prakash", "Arun", "Lalitha",
    "Karthik", "Senthil", "Vignesh", "Swathi", "Harsha", "Ramesh", "Geeta", "Aisha", "Ritu", "Wei",
    "Jing", "Mei", "Xiao", "Yan", "Hao", "Jun", "Lei", "Ming", "Ying", "Zhen", "Xin", "Hui",
    "Akira", "Haruto", "Yuki", "Sakura", "Hiroshi", "Kenji", "Aiko", "Emi", "Takumi", "Rin",
    "Yuna", "Sora", "Daiki", "Naoko", "Minjun", "Seojun", "Jiyeon", "Soojin", "Hyun", "Eunji",
    "Jisoo", "Taeyang", "Minho", "Yerin", "Linh", "Minh", "Thanh", "Huong", "Duc", "Anh", "Tuan",
    "Mai", "Somchai", "Ploy", "Niran", "Kanya", "Malee", "Arief", "Dewi", "Putri", "Budi", "Siti",
    "Rizal", "Xiaoming", "Yifan", "Zihan", "Chinedu", "Ngozi", "Adaeze", "Emeka", "Folake",
    "Tunde", "Yetunde", "Kwame", "Ama", "Kofi", "Akosua", "Yaw", "Abena", "Kwabena", "Esi",
    "Thabo", "Lerato", "Sipho", "Nomvula", "Themba", "Zanele", "Bongani", "Palesa", "Amara",
    "Chiamaka", "Ifeoma", "Obinna", "Jabari", "Zuri", "Baraka", "Wanjiru", "Njeri", "Kamau",
    "Otieno", "Achieng", "Wambui", "Tendai", "Rudo", "Tatenda", "Chipo", "Farai", "Abebe",
    "Tigist", "Selam", "Dawit", "Mekdes", "Yohannes", "Aminata", "Moussa", "Fatou", "Ousmane",
    "Awa", "Mamadou", "Aissatou", "Kagiso", "Naledi", "Zodwa", "Mandla", "Sizwe", "Ayodele", "Nia",
    "Imani", "Seun", "Dayo", "James", "Emma", "Oliver", "Sophie", "William", "Lucas", "Mia",
    "Hugo", "Chloe", "Louis", "Camille", "Leon", "Hannah", "Felix", "Lena", "Jonas", "Clara",
    "Lukas", "Anna", "Matteo", "Giulia", "Lorenzo", "Chiara", "Marco", "Elena", "Sofia", "Piotr",
    "Zofia", "Tomasz", "Jakub", "Ivan", "Olga", "Dmitri", "Natalia", "Sergei", "Lars", "Ingrid",
    "Erik", "Astrid", "Sven", "Freya", "Niamh", "Siobhan", "Cormac", "Aoife", "Eoin", "Ciaran",
    "Sean", "Bridget", "Rhys", "Gwen", "Dylan", "Megan", "Thomas", "Alice", "George", "Isabel",
    "Henry", "Eleanor", "Jack", "Grace", "Daniel", "Ruth", "Samuel", "Martha", "Nikos", "Eleni",
    "Giorgos", "Andrei", "Ioana", "Mihai", "Bogdan", "Milena", "Luka", "Ana", "Petra", "Jan",
    "Eva", "Marta", "Pieter", "Femke", "Daan", "Sanne", "Mateusz", "Ewa", "Margit", "Istvan",
    "Santiago", "Mateo", "Camila", "Diego", "Lucia", "Daniela", "Gabriel", "Mariana", "Javier",
    "Carlos", "Paula", "Andres", "Rafael", "Ximena", "Joao", "Beatriz", "Thiago", "Larissa",
    "Luiz", "Juliana", "Rodrigo", "Gabriela", "Emilio", "Renata", "Miguel", "Paola", "Eduardo",
    "Carolina", "Jorge", "Ricardo", "Adriana", "Marisol", "Alberto", "Fernando", "Leticia",
    "Manuel", "Rosa", "Hector", "Pilar", "Ignacio", "Jimena", "Tomas", "Bruno", "Cristian",
    "Nicolas", "Valeria", "Luciana", "Martin", "Josefina", "Raul", "Yesenia", "Orlando", "Dolores",
    "Catalina", "Agustina", "Omar", "Layla", "Ahmed", "Mariam", "Yusuf", "Noor", "Hassan",
    "Zainab", "Khalid", "Amira", "Tariq", "Yasmin", "Karim", "Rania", "Samir", "Rami", "Dina",
    "Faisal", "Huda", "Majid", "Salma", "Nadia", "Walid", "Bilal", "Hiba", "Mustafa", "Rana",
    "Jamal", "Lina", "Reza", "Shirin", "Dariush", "Parisa", "Arash", "Nasrin", "Kaveh", "Mehdi",
    "Farida", "Emre", "Elif", "Mehmet", "Zeynep", "Burak", "Ayse", "Cem", "Ece", "Yosef", "Noa",
    "Eitan", "Tamar", "Avi", "Shira", "Fatima", "Youssef", "Ranya", "Nour", "Sami", "Laith",
];

/// Family names, culturally mixed; ASCII only, no apostrophes or spaces.
pub const LAST_NAMES: &[&str] = &[
    "Sharma", "Patel", "Gupta", "Singh", "Kumar", "Reddy", "Iyer", "Nair", "Menon", "Pillai",
    "Rao", "Joshi", "Kulkarni", "Deshmukh", "Banerjee", "Bose", "Das", "Ghosh", "Sen", "Mehta",
    "Shah", "Desai", "Kapoor", "Khanna", "Chopra", "Bhatt", "Trivedi", "Pandey", "Mishra",
    "Tiwari", "Verma", "Agarwal", "Saxena", "Krishnan", "Naidu", "Gill", "Sandhu", "Dhillon",
    "Grewal", "Rahman", "Hossain", "Islam", "Qureshi", "Baig", "Perera", "Bandara", "Thapa",
    "Shrestha", "Gurung", "Rai", "Karki", "Hegde", "Shetty", "Kamath", "Dutta", "Sinha", "Prasad",
    "Yadav", "Chauhan", "Rathore", "Siddiqui", "Ranade", "Dasgupta", "Wang", "Li", "Zhang", "Liu",
    "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "Lin",
    "He", "Gao", "Luo", "Tanaka", "Suzuki", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kato",
    "Sato", "Yoshida", "Yamada", "Sasaki", "Inoue", "Kim", "Lee", "Park", "Choi", "Jung", "Kang",
    "Cho", "Yoon", "Jang", "Lim", "Han", "Shin", "Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu",
    "Dang", "Bui", "Do", "Ngo", "Tan", "Wong", "Chan", "Leung", "Cheung", "Santoso", "Wijaya",
    "Halim", "Srisai", "Ong", "Teo", "Fujita", "Mori", "Ogawa", "Okafor", "Adeyemi", "Okonkwo",
    "Nwosu", "Eze", "Balogun", "Adebayo", "Obi", "Afolabi", "Mensah", "Owusu", "Boateng", "Asante",
    "Appiah", "Osei", "Agyeman", "Darko", "Nkosi", "Dlamini", "Ndlovu", "Khumalo", "Mokoena",
    "Zulu", "Molefe", "Sithole", "Kariuki", "Wanjiku", "Mutua", "Njoroge", "Kiprop", "Chebet",
    "Onyango", "Moyo", "Mutasa", "Banda", "Phiri", "Tembo", "Mwale", "Bekele", "Tesfaye", "Haile",
    "Girma", "Alemu", "Diallo", "Traore", "Keita", "Toure", "Ndiaye", "Sow", "Ba", "Kone", "Cisse",
    "Chukwu", "Oyelowo", "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans",
    "Wilson", "Roberts", "Walker", "Wright", "Clarke", "Hughes", "Murphy", "Kelly", "Byrne",
    "Ryan", "Walsh", "Doyle", "Muller", "Schmidt", "Fischer", "Weber", "Becker", "Wagner",
    "Hoffmann", "Schulz", "Koch", "Dubois", "Martin", "Bernard", "Petit", "Durand", "Leroy",
    "Moreau", "Rossi", "Russo", "Ferrari", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Kowalski", "Nowak", "Wojcik", "Kaminski", "Ivanov", "Petrov", "Smirnov", "Volkov",
    "Popov", "Sokolov", "Novak", "Horvat", "Kovac", "Jansen", "Bakker", "Visser", "Smit", "Meijer",
    "Mulder", "Larsen", "Nielsen", "Hansen", "Eriksen", "Berg", "Virtanen", "Korhonen", "Georgiou",
    "Popescu", "Ionescu", "Dumitru", "Nagy", "Szabo", "Toth", "Horvath", "Lindberg", "Fontaine",
    "Lambert", "Garcia", "Martinez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres",
    "Flores", "Rivera", "Gomez", "Diaz", "Morales", "Reyes", "Cruz", "Ortiz", "Chavez", "Ramos",
    "Vargas", "Castillo", "Jimenez", "Moreno", "Romero", "Alvarez", "Mendoza", "Ruiz", "Herrera",
    "Medina", "Aguilar", "Castro", "Vasquez", "Rojas", "Guerrero", "Salazar", "Navarro",
    "Sandoval", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Carvalho",
    "Ribeiro", "Barbosa", "Rocha", "Lima", "Araujo", "Cardoso", "Mendes", "Nunes", "Fuentes",
    "Espinoza", "Cabrera", "Valdez", "Acosta", "Silva", "Figueroa", "Delgado", "Haddad", "Khoury",
    "Nasser", "Hamdan", "Saleh", "Abboud", "Mansour", "Farouk", "Aziz", "Hakim", "Karimi",
    "Hosseini", "Rahimi", "Ahmadi", "Jafari", "Rezaei", "Moradi", "Tehrani", "Sadeghi", "Yilmaz",
    "Kaya", "Demir", "Sahin", "Celik", "Ozturk", "Aydin", "Arslan", "Dogan", "Cohen", "Levi",
    "Mizrahi", "Friedman", "Katz", "Shapiro", "Najjar", "Darwish", "Bakr", "Suleiman", "Ibrahim",
    "Khalil", "Jaber", "Odeh", "Sabbagh", "Toubia", "Amin",
];

/// Academic titles given to teaching and lab staff.
pub const STAFF_TITLES: &[&str] = &[
    "Professor",
    "Associate Professor",
    "Assistant Professor",
    "Senior Lecturer",
    "Lecturer",
    "Visiting Professor",
    "Adjunct Professor",
    "Research Fellow",
    "Teaching Fellow",
    "Lab Instructor",
];

/// How a guardian is related to a student.
pub const GUARDIAN_RELATIONSHIPS: &[&str] = &[
    "mother",
    "father",
    "guardian",
    "grandparent",
    "sibling",
    "aunt",
    "uncle",
];

/// Street names without house numbers.
pub const STREETS: &[&str] = &[
    "Lakeview Road",
    "Maple Avenue",
    "Station Road",
    "Church Street",
    "Park Lane",
    "Hillside Drive",
    "Riverside Walk",
    "Market Street",
    "Mill Lane",
    "Oak Street",
    "Cedar Crescent",
    "Willow Way",
    "Elm Grove",
    "Birch Close",
    "College Road",
    "University Avenue",
    "Temple Street",
    "Gandhi Road",
    "Nehru Marg",
    "Garden Street",
    "Sunrise Boulevard",
    "Harbour Road",
    "Bridge Street",
    "High Street",
    "Kings Road",
    "Queens Avenue",
    "Victoria Street",
    "Jasmine Lane",
    "Lotus Road",
    "Palm Avenue",
    "Mango Grove",
    "Banyan Street",
    "Orchard Lane",
    "Meadow Drive",
    "Forest Road",
    "Canal Street",
    "Spring Street",
    "Ridge Road",
    "Valley View Road",
    "Coral Drive",
    "Pearl Street",
    "Silver Lane",
    "Goldfinch Lane",
    "Copper Street",
    "Rose Avenue",
    "Lily Lane",
    "Tulip Drive",
    "Sunflower Street",
    "Magnolia Avenue",
    "Chestnut Road",
    "Beacon Street",
    "Mission Road",
    "Ocean Drive",
    "Fountain Square",
    "Lighthouse Road",
    "Museum Road",
    "Observatory Road",
    "Library Lane",
    "Peacock Lane",
    "Cathedral Road",
];

/// City names used for addresses.
pub const CITIES: &[&str] = &[
    "Riverton",
    "Lakemont",
    "Fairhaven",
    "Brookfield",
    "Ashford",
    "Millbrook",
    "Northgate",
    "Eastwood",
    "Westbury",
    "Southport",
    "Kingsbridge",
    "Greenvale",
    "Stonehaven",
    "Oakridge",
    "Silverton",
    "Maplewood",
    "Pinecrest",
    "Clearwater",
    "Redhill",
    "Bayside",
    "Rosedale",
    "Cedarville",
    "Hillcrest",
    "Elmhurst",
    "Chandrapur",
    "Ramnagar",
    "Shantipur",
    "Sonapur",
    "Devgarh",
    "Anandpur",
    "Suryanagar",
    "Kamalpur",
    "Madhavpur",
    "Nilgiri Heights",
    "Port Amara",
    "San Lorenzo",
    "Santa Rosalia",
    "Villa Esperanza",
    "Al Noor City",
    "Nova Esperanca",
];
